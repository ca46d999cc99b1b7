/// A request parameter the API cannot use; answered with 400 and `{"error": description}`.
package struct ParameterError: Error, Equatable, CustomStringConvertible {
    /// The parameter's name as the request spells it (`limit`, `after`, `client_id`).
    package let parameter: String
    /// What is wrong, as the end of a sentence starting with the parameter's name.
    package let problem: String

    package init(parameter: String, problem: String) {
        self.parameter = parameter
        self.problem = problem
    }

    package var description: String { "parameter '\(parameter)' \(problem)" }
}
