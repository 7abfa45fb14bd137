/// How a refusal names the choices its caller has: the flags of `sbic train`, or the keyword
/// arguments of Python's `sbic.train`, whose names the C interface's settings share.
public struct Wording: Sendable {
    public var overwrite: String
    public var out: String
    public var initFrom: String

    public static let commandLine = Wording(overwrite: "--overwrite", out: "--out", initFrom: "--init-from")
    public static let keywords = Wording(overwrite: "overwrite=True", out: "out directory", initFrom: "init_from")
}
