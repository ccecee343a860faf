public import QMPWire

extension MachineConfiguration {
    /// A key of a configuration file (`--config`) that no field has: a typo (`kernl`) that would otherwise be ignored
    /// while the guest boots without what the user asked for.
    public struct UnknownKey: Sendable, Equatable {
        /// Where the key is: `""` at the top, `disks[0]`, `memory`.
        public var location: String
        /// The key as written.
        public var key: String
        /// The keys accepted at that place.
        public var known: [String]
    }

    /// The keys of a configuration file's top-level object.
    public static var configurationKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Every key of `json` (a configuration file's contents) that no field reads, in the order written.
    public static func unknownKeys(in json: JSON) -> [UnknownKey] {
        guard case .object(let top) = json else { return [] }
        var result: [UnknownKey] = []
        func check(_ object: JSONObject, at location: String, known: [String]) {
            for key in object.keys where !known.contains(key) {
                result.append(UnknownKey(location: location, key: key, known: known))
            }
        }
        check(top, at: "", known: configurationKeys)
        if case .object(let memory)? = top["memory"] { check(memory, at: "memory", known: ["megabytes", "slots", "maximum"]) }
        if case .object(let cpus)? = top["cpus"] { check(cpus, at: "cpus", known: ["count", "maximum"]) }
        if case .array(let disks)? = top["disks"] {
            for (index, disk) in disks.enumerated() {
                guard case .object(let object) = disk else { continue }
                check(object, at: "disks[\(index)]", known: ["file", "format", "interface", "id", "readOnly"])
            }
        }
        return result
    }
}
