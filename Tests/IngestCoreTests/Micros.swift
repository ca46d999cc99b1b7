/// Epoch seconds as the microseconds every instant is in (the tests read in seconds).
func micros(_ seconds: Double) -> Int64 {
    Int64((seconds * 1_000_000).rounded())
}
