// swift-tools-version:5.10
// The targets are the stages of sbic's pipeline:
//   Spec ─▶ IR ─▶ Passes ─▶ Runtime ─▶ Interpreter | JIT ─▶ Training ─▶ Evaluation
// with Random, Datasets and Simulators supplying the data, and `sbic` the command line.
import PackageDescription

let package = Package(
    name: "sbic",
    products: [
        .executable(name: "sbic", targets: ["sbic"]),
        // libsbic_capi.so: the C interface of Sources/CAPI/sbic.h, which python/ loads.
        .library(name: "sbic_capi", type: .dynamic, targets: ["CAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, llvm-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CLLVM", path: "Sources/CLLVM"),

        // The compiler.
        .target(name: "IR"),
        // The spec knows its activations from IR's op table.
        .target(name: "Spec", dependencies: ["IR"]),
        .target(name: "Passes", dependencies: ["Spec", "IR"]),

        // What runs a compiled graph: its parameters, and the interface both back ends implement.
        .target(name: "Runtime", dependencies: ["IR"]),
        // Back ends.
        .target(name: "Interpreter", dependencies: ["IR", "Runtime", "CBLAS"]),
        .target(name: "JIT", dependencies: ["IR", "Runtime", "CLLVM", "Datasets"]),

        // Training and sampling.
        .target(name: "Training", dependencies: ["IR", "Runtime", "Random", "Datasets", "Simulators"]),

        // Evaluation.
        .target(name: "Evaluation", dependencies: ["IR", "Passes", "Runtime", "Random", "Datasets", "CBLAS"]),

        // Data.
        .target(name: "Random"),
        .target(name: "Datasets"),
        .target(name: "Simulators", dependencies: ["Random", "Datasets"]),

        // Simulation-based calibration, and the figures (standalone SVG).
        .target(name: "Calibration", dependencies: ["Simulators", "Datasets", "Random"]),
        .target(name: "Plots", dependencies: ["Datasets"]),

        // The command line.
        .executableTarget(name: "sbic", dependencies: [
            "Spec", "IR", "Passes", "Runtime", "Interpreter", "JIT", "Training", "Evaluation", "Random", "Datasets",
            "Simulators", "Calibration", "Plots",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The C interface (sbic.h) of loading, sampling, training and compiling.
        .target(name: "CAPI", dependencies: ["Spec", "IR", "Passes", "Runtime", "Interpreter", "JIT", "Training", "Datasets", "Simulators"],
                exclude: ["sbic.h"]),

        // The fuzz targets of every reader; `.ci/fuzz` builds them with libFuzzer.
        .executableTarget(name: "sbic-fuzz", dependencies: ["Spec", "IR", "Passes", "Runtime", "Interpreter", "Training", "Datasets"],
                          path: "Tests/Fuzz/Targets"),

        // What the test targets share: the repository's root, temporary directories, a seeded generator.
        .target(name: "TestSupport", dependencies: ["Spec", "Simulators"], path: "Tests/TestSupport"),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "IR", "Datasets", "TestSupport"]),
        .testTarget(name: "IRTests", dependencies: ["IR", "TestSupport"]),
        .testTarget(name: "PassesTests", dependencies: ["Spec", "IR", "Passes", "Runtime", "Interpreter", "TestSupport"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Spec", "IR", "Passes", "Runtime", "Interpreter", "Random", "TestSupport"]),
        .testTarget(name: "JITTests", dependencies: ["JIT", "Runtime", "Interpreter", "Passes", "Spec", "IR", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Passes", "Spec", "IR", "Runtime", "Interpreter", "Datasets", "Random", "Simulators",
                                                      "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Runtime", "Interpreter", "JIT", "Datasets", "Random", "Simulators",
                                                         "TestSupport"]),
        .testTarget(name: "RandomTests", dependencies: ["Random"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "SimulatorsTests", dependencies: ["Simulators", "Random", "Datasets"]),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Simulators", "Datasets", "Random"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "Datasets"]),
        .testTarget(name: "CLITests", dependencies: ["sbic", "Training", "TestSupport"]),
    ]
)
