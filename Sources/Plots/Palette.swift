/// The colours of every figure, in one place so that the figures agree: posterior samples
/// are always blue, reference samples orange, true parameters black.
public enum Palette {
    public static let samples = "#1f77b4"
    public static let reference = "#ff7f0e"
    public static let truth = "#000000"
    public static let text = "#222222"
    public static let axis = "#444444"
    public static let grid = "#e6e6e6"
    public static let band = "#bdbdbd"

    /// Ten distinguishable line colours (matplotlib's "tab10"), cycled for more series.
    public static let series = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public static func series(_ index: Int) -> String { series[index % series.count] }
}
