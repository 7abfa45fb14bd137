/// Input a figure cannot be drawn from, such as samples and names of different dimensions.
public struct PlotError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

