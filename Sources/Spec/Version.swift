/// The version of sbic, as `sbic --version` and the C interface's `sbic_version()` report it.
public let sbicVersion = "0.1.0"
