/// A command or argument that the schema rejects, found before anything was sent.
///
/// Its description is one line, with the closest valid name when there is one:
/// `unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?`
public struct SchemaValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of error.
    public var code: Code
    /// The command the arguments are for.
    public var command: String
    /// The argument, dotted for nested members (`file.filename`), `[N]` for array elements (`keys[0]`); empty
    /// when the error is about the command itself.
    public var path: String
    /// What is wrong, without the suggestion.
    public var message: String
    /// The closest valid command, argument or value, when one is close enough.
    public var suggestion: String?

    /// Creates a value from its members.
    public init(code: Code, command: String, path: String, message: String, suggestion: String? = nil) {
        self.code = code
        self.command = command
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    /// A one-line description.
    public var description: String {
        guard let suggestion else { return message }
        return "\(message) — did you mean '\(suggestion)'?"
    }

    /// The kind of error; new kinds can be added without breaking callers.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The wire value.
        public var rawValue: String
        /// The value `rawValue`, known or not.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The schema has no such command.
        public static let unknownCommand = Code(rawValue: "unknownCommand")
        /// The command takes no such argument.
        public static let unknownArgument = Code(rawValue: "unknownArgument")
        /// A required argument is missing.
        public static let missingArgument = Code(rawValue: "missingArgument")
        /// A value of the wrong JSON type.
        public static let wrongType = Code(rawValue: "wrongType")
        /// A value an enumeration does not have.
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// An integer outside its type's range.
        public static let outOfRange = Code(rawValue: "outOfRange")
        /// `device_add` with a driver QEMU does not have.
        public static let unknownDriver = Code(rawValue: "unknownDriver")

        /// A one-line description.
        public var description: String { rawValue }
    }
}

/// A use of something marked `deprecated` or `unstable`: worth telling, not a reason to refuse.
public struct SchemaWarning: Sendable, Hashable, CustomStringConvertible {
    /// The command.
    public var command: String
    /// The argument (as in ``SchemaValidationError/path``); empty for the command itself.
    public var path: String
    /// The feature: `deprecated` or `unstable`.
    public var feature: String
    /// What is wrong, in one line.
    public var message: String

    /// Creates a value from its members.
    public init(command: String, path: String, feature: String, message: String) {
        self.command = command
        self.path = path
        self.feature = feature
        self.message = message
    }

    /// A one-line description.
    public var description: String { message }
}

/// The outcome of checking one command against the schema.
public struct SchemaValidationReport: Sendable, Hashable {
    /// Problems QEMU would reject, in the order of the arguments; unknown arguments come before missing ones.
    public var errors: [SchemaValidationError] = []
    /// Uses of deprecated or unstable things.
    public var warnings: [SchemaWarning] = []

    /// Creates a value from its members.
    public init(errors: [SchemaValidationError] = [], warnings: [SchemaWarning] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    /// No errors (warnings allowed).
    public var isValid: Bool { errors.isEmpty }

    /// Throws the first error, if any; returns the warnings.
    @discardableResult
    public func check() throws(SchemaValidationError) -> [SchemaWarning] {
        if let first = errors.first { throw first }
        return warnings
    }
}
