// The IR module.
