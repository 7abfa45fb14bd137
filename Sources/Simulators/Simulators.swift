// The Simulators module.
