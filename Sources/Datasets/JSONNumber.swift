import Foundation

/// The number a JSONSerialization value holds, or nil for anything else. JSON's true and
/// false also arrive as NSNumber (of Objective-C type "c"), and must not pass for 1 and 0.
public func jsonNumber(_ value: Any?) -> Double? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    return number.doubleValue
}

/// The truth value of a JSON true or false, or nil for anything else.
public func jsonBoolean(_ value: Any?) -> Bool? {
    guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
    return number.boolValue
}
