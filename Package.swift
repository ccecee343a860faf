// swift-tools-version:6.0
import PackageDescription

/// Settings applied to every target of the package: Swift 6 language mode (the tools-version default),
/// upcoming features, and warnings as errors so the tree stays warning-free.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "qmpkit",
    products: [
        .library(name: "QMPWire", targets: ["QMPWire"]),
        .library(name: "QMP", targets: ["QMP"]),
        .library(name: "QMPSchema", targets: ["QMPSchema"]),
        // Every command, event and type of QEMU's QAPI schema, generated (scripts/generate-qapi.sh).
        .library(name: "QMPGenerated", targets: ["QMPGenerated"]),
        .library(name: "HMP", targets: ["HMP"]),
        .library(name: "QEMURunner", targets: ["QEMURunner"]),
        .library(name: "LineEditing", targets: ["LineEditing"]),
        .library(name: "MonitorShell", targets: ["MonitorShell"]),
        .library(name: "QMPLibvirt", targets: ["QMPLibvirt"]),
        .library(name: "GuestAgent", targets: ["GuestAgent"]),
        .library(name: "QMPTestSupport", targets: ["QMPTestSupport"]),
        .executable(name: "qmpsh", targets: ["qmpsh"]),
        .executable(name: "qmpkit-bench", targets: ["qmpkit-bench"]),
        .executable(name: "qmpkit-soak", targets: ["qmpkit-soak"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Wire logging for library users (QMPClient.Configuration.logger, issue 14).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `swift package generate-documentation`: the DocC catalog (Sources/QMP/QMP.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "QMPWire"),
        .target(name: "QMP", dependencies: ["QMPWire", .product(name: "Logging", package: "swift-log")]),
        .target(name: "QMPSchema", dependencies: ["QMP", "QMPWire"]),
        // Generated from QEMU's schema: a module of its own, so changes elsewhere do not recompile it.
        .target(name: "QMPGenerated", dependencies: ["QMP", "QMPWire"]),
        .target(name: "HMP", dependencies: ["QMP", "QMPWire"]),
        .target(name: "QEMURunner", dependencies: ["QMP", "QMPWire", "GuestAgent"]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "LineEditing", dependencies: ["CLibEdit", "QMPWire"]),
        .target(name: "MonitorShell", dependencies: ["QMP", "QMPWire", "QMPSchema", "HMP", "QEMURunner", "LineEditing", "GuestAgent"]),
        .target(name: "QMPTestSupport", dependencies: ["QMP", "QMPWire", .product(name: "Logging", package: "swift-log")]),
        // The QEMU guest agent (qemu-ga) client: its own protocol state machine on QMPWire's socket and framer.
        .target(name: "GuestAgent", dependencies: ["QMP", "QMPWire", .product(name: "Logging", package: "swift-log")]),
        // libvirt's C API (libvirt.h + libvirt-qemu.h); a separate target so the core never links libvirt.
        .systemLibrary(name: "CLibvirt", pkgConfig: "libvirt-qemu", providers: [.apt(["libvirt-dev"])]),
        // The same API loaded with dlopen on first use: qmpsh starts without loading libvirt (~20 ms).
        .target(name: "CLibvirtLoader", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "QMPLibvirt", dependencies: ["CLibvirtLoader", "QMP", "QMPWire", "GuestAgent"]),
        .executableTarget(
            name: "qmpsh",
            dependencies: [
                "QMP", "QMPWire", "QMPSchema", "HMP", "QEMURunner", "MonitorShell", "LineEditing", "QMPLibvirt", "GuestAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release qmpsh links the Swift runtime and libraries statically (issue 14, session 6): a one-line
            // `qmpsh run` took 12.7 ms CPU dynamically linked, 10.6 ms static (`qmpsh --version` 6.9 -> 4.6 ms).
            // FoundationEssentials (ArgumentParser's) needs its two support archives named after it.
            linkerSettings: [
                .unsafeFlags(
                    ["-static-stdlib", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims"],
                    .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "qmpkit-bench",
            dependencies: ["QMP", "QMPWire", "QMPSchema", "QEMURunner", "MonitorShell", "QMPTestSupport", "GuestAgent", "QMPLibvirt", "QMPGenerated"]),
        .executableTarget(name: "qmpkit-soak", dependencies: ["QMP", "QMPWire", "QEMURunner"]),
        .testTarget(name: "QMPWireTests", dependencies: ["QMPWire"]),
        .testTarget(
            name: "QMPTests",
            dependencies: ["QMP", "QMPWire", "QMPTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "QMPGeneratedTests", dependencies: ["QMPGenerated", "QMP", "QMPWire", "QMPSchema", "QMPTestSupport"]),
        .testTarget(name: "QMPSchemaTests", dependencies: ["QMPSchema", "QMP", "QMPTestSupport"]),
        .testTarget(name: "HMPTests", dependencies: ["HMP", "QMP", "QMPTestSupport"]),
        .testTarget(name: "QEMURunnerTests", dependencies: ["QEMURunner", "QMP", "QMPTestSupport"]),
        .testTarget(name: "GuestTests", dependencies: ["QEMURunner", "QMP", "QMPTestSupport"]),
        .testTarget(name: "QMPIntegrationTests", dependencies: ["QMP", "QMPWire", "QMPSchema", "HMP", "QMPTestSupport"]),
        .testTarget(name: "QMPSHTests", dependencies: ["QMPTestSupport", "QMPWire"]),
        .testTarget(
            name: "LibvirtTests",
            dependencies: ["QMPLibvirt", "CLibvirt", "QMP", "QMPWire", "QEMURunner", "MonitorShell", "QMPTestSupport", "GuestAgent"]
        ),
        .testTarget(name: "LineEditingTests", dependencies: ["LineEditing"]),
        .testTarget(
            name: "GuestAgentTests",
            dependencies: [
                "GuestAgent", "QMP", "QMPWire", "QEMURunner", "MonitorShell", "LineEditing", "QMPTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "MonitorShellTests",
            dependencies: ["MonitorShell", "LineEditing", "QMP", "QMPWire", "QMPSchema", "HMP", "QEMURunner", "QMPTestSupport"]
        ),
        .testTarget(
            name: "ReliabilityTests", dependencies: ["QMP", "QMPWire", "HMP", "QEMURunner", "QMPTestSupport"]),
    ]
)

for target in package.targets where target.type != .system && target.name != "CLibvirtLoader" {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
