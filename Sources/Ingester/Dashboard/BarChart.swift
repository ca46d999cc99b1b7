/// A small bar chart drawn as inline SVG: no script, no web font, no network fetch.
///
/// Buckets run left to right; each bucket holds one bar per series, side by side. The y axis
/// starts at 0 and ends at a "nice" number (1, 2 or 5 times a power of ten) at or above the
/// largest value, so bars of different charts read alike.
package struct BarChart: Sendable {
    package struct Series: Sendable {
        package let name: String
        /// A CSS class of the page's stylesheet (`series-a`, `series-b`).
        package let cssClass: String
        package let values: [Double]

        package init(name: String, cssClass: String, values: [Double]) {
            self.name = name
            self.cssClass = cssClass
            self.values = values
        }
    }

    package struct Bar: Equatable, Sendable {
        package let x: Double
        package let y: Double
        package let width: Double
        package let height: Double
    }

    package let series: [Series]
    /// One label per bucket (shown in each bar's tooltip; the first and last under the axis).
    package let labels: [String]
    package let width: Double
    package let height: Double
    /// Room under the plot for the axis labels and left of it for the scale.
    package static let bottomMargin = 16.0
    package static let leftMargin = 34.0

    package init(series: [Series], labels: [String], width: Double = 360, height: Double = 120) {
        self.series = series
        self.labels = labels
        self.width = width
        self.height = height
    }

    /// The top of the y axis: the smallest 1, 2 or 5 × 10ⁿ at or above `maximum` (1 for an empty
    /// or all-zero chart, so a quiet broker draws flat bars rather than dividing by zero).
    package static func niceCeiling(_ maximum: Double) -> Double {
        guard maximum.isFinite, maximum > 0 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= maximum { magnitude *= 10 }
        while magnitude > maximum { magnitude /= 10 }
        for step in [1.0, 2.0, 5.0, 10.0] where step * magnitude >= maximum { return step * magnitude }
        return 10 * magnitude
    }

    package var scaleTop: Double {
        Self.niceCeiling(series.flatMap(\.values).filter(\.isFinite).max() ?? 0)
    }

    /// The bars of every series, `bars()[s][b]` for series `s` and bucket `b`, in SVG coordinates
    /// (y grows downwards). Negative and non-finite values draw as 0.
    package func bars() -> [[Bar]] {
        let buckets = series.map(\.values.count).max() ?? 0
        guard buckets > 0, !series.isEmpty else { return series.map { _ in [] } }
        let plotWidth = width - Self.leftMargin
        let plotHeight = height - Self.bottomMargin
        let bucketWidth = plotWidth / Double(buckets)
        // A gap of a fifth of the bucket keeps neighbouring buckets apart.
        let barWidth = bucketWidth * 0.8 / Double(series.count)
        let top = scaleTop
        return series.enumerated().map { index, series in
            series.values.enumerated().map { bucket, value in
                let clean = value.isFinite && value > 0 ? value : 0
                let barHeight = plotHeight * min(clean, top) / top
                return Bar(
                    x: Self.leftMargin + Double(bucket) * bucketWidth + bucketWidth * 0.1 + Double(index) * barWidth,
                    y: plotHeight - barHeight, width: barWidth, height: barHeight)
            }
        }
    }

    /// The chart as an `<svg>` element; every label and name is escaped.
    package func svg(title: String) -> String {
        let plotHeight = height - Self.bottomMargin
        var out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
            + " width=\"\(Self.number(width))\" height=\"\(Self.number(height))\"><title>\(HTML.escape(title))</title>"
        out += "<line class=\"axis\" x1=\"\(Self.number(Self.leftMargin))\" y1=\"\(Self.number(plotHeight))\""
            + " x2=\"\(Self.number(width))\" y2=\"\(Self.number(plotHeight))\"/>"
        out += "<text class=\"scale\" x=\"0\" y=\"10\">\(HTML.escape(Self.number(scaleTop)))</text>"
        out += "<text class=\"scale\" x=\"0\" y=\"\(Self.number(plotHeight))\">0</text>"
        for (series, bars) in zip(series, bars()) {
            for (bucket, bar) in bars.enumerated() {
                let label = bucket < labels.count ? labels[bucket] : ""
                let value = bucket < series.values.count ? series.values[bucket] : 0
                out += "<rect class=\"\(HTML.escape(series.cssClass))\" x=\"\(Self.number(bar.x))\""
                    + " y=\"\(Self.number(bar.y))\" width=\"\(Self.number(bar.width))\" height=\"\(Self.number(bar.height))\">"
                    + "<title>\(HTML.escape("\(label): \(Self.number(value)) \(series.name)"))</title></rect>"
            }
        }
        if let first = labels.first, let last = labels.last {
            out += "<text class=\"scale\" x=\"\(Self.number(Self.leftMargin))\" y=\"\(Self.number(height - 2))\">\(HTML.escape(first))</text>"
            out += "<text class=\"scale end\" x=\"\(Self.number(width))\" y=\"\(Self.number(height - 2))\">\(HTML.escape(last))</text>"
        }
        return out + "</svg>"
    }

    /// At most two decimals, no trailing zeros: `12`, `0.5`, `33.33`.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
