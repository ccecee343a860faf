public import QMPWire

extension QAPISchema {
    /// Checks a command and its arguments against the schema, before anything is sent.
    ///
    /// Errors: unknown command, unknown argument, missing required argument, wrong JSON type, integer out of
    /// range (sized integers of unmasked schemas), value not in an enumeration; each names the argument's dotted
    /// path and suggests the closest valid name or value. Unions are checked with the members of the variant their
    /// tag selects, alternates against the branch that takes the value's JSON type.
    ///
    /// Warnings, not errors: the use of a `deprecated` or `unstable` command, argument or value.
    ///
    /// Let through: values of type `any`; types the schema does not define; `device_add` properties, which the
    /// schema does not describe — pass `deviceProperties` (the names `device-list-properties` gives for the
    /// driver) to check them, and `deviceDrivers` (`qom-list-types implements=device abstract=false`) to check the
    /// driver. ``LiveValues/validate(command:arguments:schema:)`` fetches both from the monitor.
    public func validate(
        command name: String, arguments: JSONObject, deviceDrivers: [String]? = nil, deviceProperties: [String]? = nil
    ) -> SchemaValidationReport {
        guard let command = command(named: name) else {
            // QEMU 2.5 to 2.7 leave these two out of their introspection, though they have them.
            if Self.commandsIntrospectionMayOmit.contains(name) { return SchemaValidationReport() }
            let error = SchemaValidationError(
                code: .unknownCommand, command: name, path: "", message: "unknown command '\(name)'",
                suggestion: Suggestion.closest(to: name, in: commandNames))
            return SchemaValidationReport(errors: [error])
        }
        var validator = SchemaValidator(schema: self, command: name)
        for feature in command.features where SchemaValidator.warnedFeatures.contains(feature) {
            validator.report.warnings.append(SchemaWarning(
                command: name, path: "", feature: feature, message: "command '\(name)' is \(feature)"))
        }
        var freeForm = FreeFormArguments.none
        if name == "device_add" {
            freeForm = .deviceProperties(deviceProperties)
            if let drivers = deviceDrivers, let driver = arguments["driver"]?.stringValue, !drivers.contains(driver) {
                validator.report.errors.append(SchemaValidationError(
                    code: .unknownDriver, command: name, path: "driver",
                    message: "unknown device driver '\(driver)' for device_add",
                    suggestion: Suggestion.closest(to: driver, in: drivers)))
            }
        } else if name == "netdev_add", case .object(let object) = self[command.argumentType].kind,
            object.variants.isEmpty
        {
            // Before QEMU 5.0 netdev_add took its backend's options as extra arguments the schema did not list.
            freeForm = .deviceProperties(nil)
        }
        switch self[command.argumentType].kind {
        case .object(let shape):
            validator.checkObject(arguments, shape: shape, path: "", freeForm: freeForm)
        default:
            validator.checkValue(.object(arguments), type: command.argumentType, path: "")
        }
        return validator.report
    }
}

extension QAPISchema {
    /// Commands every QEMU has but whose introspection can leave them out (QEMU 2.5 to 2.7 omit `device_add` and
    /// `qmp_capabilities`): validation lets them through with any arguments when the schema has no entry for them.
    public static let commandsIntrospectionMayOmit: Set<String> = ["device_add", "qmp_capabilities"]
}

/// Arguments beyond the schema's that a command takes.
enum FreeFormArguments {
    case none
    /// `device_add`: the driver's properties; `nil` when they are not known (then anything goes).
    case deviceProperties([String]?)
}

struct SchemaValidator {
    static let warnedFeatures: Set<String> = [SchemaFeature.deprecated, SchemaFeature.unstable]

    let schema: QAPISchema
    let command: String
    var report = SchemaValidationReport()

    // MARK: - Objects

    mutating func checkObject(_ object: JSONObject, shape: SchemaObject, path: String, freeForm: FreeFormArguments = .none) {
        let prefix = path.isEmpty ? "" : path + "."
        // The union's own members, then those of the variant each tag selects (nested unions included).
        let resolved = schema.shape(of: shape, given: object)
        let undeterminedNames = resolved.undetermined.map(schema.variantMemberNames(of:)) ?? []
        for (key, value) in object {
            if let member = resolved.member(named: key) {
                checkMember(member, value: value, path: prefix + key)
                continue
            }
            if case .deviceProperties(let properties) = freeForm {
                guard let properties, !properties.contains(key) else { continue }
                report.errors.append(SchemaValidationError(
                    code: .unknownArgument, command: command, path: prefix + key,
                    message: "unknown property '\(key)' for device_add driver '\(object["driver"]?.stringValue ?? "?")'",
                    suggestion: Suggestion.closest(to: key, in: properties + resolved.members.map(\.name))))
                continue
            }
            // A member of some variant, when the tag does not say which: the tag's own error covers it.
            if undeterminedNames.contains(key) { continue }
            var candidates = resolved.members.map(\.name) + undeterminedNames
            candidates.removeAll { object[$0] != nil }
            let suggestion = Suggestion.closest(to: key, in: candidates)
            let message: String
            if candidates.isEmpty && resolved.members.isEmpty && resolved.undetermined == nil
                && resolved.layers.allSatisfy(\.variants.isEmpty)
            {
                message = path.isEmpty
                    ? "unknown argument '\(key)' for \(command) (it takes no arguments)"
                    : "unknown argument '\(prefix + key)' for \(command) ('\(path)' takes no members)"
            } else {
                message = "unknown argument '\(prefix + key)' for \(command)"
            }
            report.errors.append(SchemaValidationError(
                code: .unknownArgument, command: command, path: prefix + key, message: message,
                suggestion: suggestion.map { prefix + $0 }))
        }
        for layer in resolved.layers {
            for member in layer.members where !member.isOptional && object[member.name] == nil {
                missing(prefix + member.name)
            }
        }
    }

    private mutating func missing(_ path: String) {
        report.errors.append(SchemaValidationError(
            code: .missingArgument, command: command, path: path,
            message: "missing required argument '\(path)' for \(command)"))
    }

    private mutating func checkMember(_ member: SchemaMember, value: JSON, path: String) {
        if !member.features.isEmpty {
            for feature in member.features where Self.warnedFeatures.contains(feature) {
                report.warnings.append(SchemaWarning(
                    command: command, path: path, feature: feature,
                    message: "argument '\(path)' of \(command) is \(feature)"))
            }
        }
        checkValue(value, type: member.type, path: path)
    }

    // MARK: - Values

    mutating func checkValue(_ value: JSON, type reference: SchemaTypeRef, path: String) {
        let type = schema[reference]
        if !type.features.isEmpty {
            for feature in type.features where Self.warnedFeatures.contains(feature) {
                report.warnings.append(SchemaWarning(
                    command: command, path: path, feature: feature,
                    message: "the type of argument '\(path)' of \(command) is \(feature)"))
            }
        }
        switch type.kind {
        case .builtin(let builtin):
            checkBuiltin(value, builtin, path: path, reference: reference)
        case .enumeration(let enumeration):
            guard case .string(let string) = value else { return wrongType(value, expected: reference, path: path) }
            checkEnumValue(string, enumeration, path: path)
        case .array(let element):
            guard case .array(let elements) = value else { return wrongType(value, expected: reference, path: path) }
            for (index, item) in elements.enumerated() {
                checkValue(item, type: element, path: "\(path)[\(index)]")
            }
        case .object(let shape):
            guard case .object(let object) = value else { return wrongType(value, expected: reference, path: path) }
            checkObject(object, shape: shape, path: path)
        case .alternate:
            // Nested alternates are flattened (an alternate that contains itself included): the branch is never
            // an alternate, so this does not come back here with the same value.
            guard let branch = schema.alternateBranches(of: reference).first(where: { accepts(schema[$0].kind, value) })
            else {
                return wrongType(value, expected: reference, path: path)
            }
            checkValue(value, type: branch, path: path)
        case .unknown:
            return
        }
    }

    private mutating func checkBuiltin(_ value: JSON, _ builtin: SchemaBuiltin, path: String, reference: SchemaTypeRef) {
        switch builtin.jsonType {
        case "string":
            if case .string = value { return }
        case "int":
            let integer: Int128?
            switch value {
            case .int(let number): integer = Int128(number)
            case .uint(let number): integer = Int128(number)
            default: integer = nil
            }
            guard let integer else { break }
            if let range = builtin.integerRange, !range.contains(integer) {
                report.errors.append(SchemaValidationError(
                    code: .outOfRange, command: command, path: path,
                    message: "argument '\(path)' of \(command) is out of range for \(builtin.name) (\(range.lowerBound)...\(range.upperBound))"))
            }
            return
        case "number":
            switch value {
            case .int, .uint, .double: return
            default: break
            }
        case "boolean":
            if case .bool = value { return }
        case "null":
            if case .null = value { return }
        default:
            return
        }
        wrongType(value, expected: reference, path: path)
    }

    private mutating func checkEnumValue(_ string: String, _ enumeration: SchemaEnum, path: String) {
        if let value = enumeration.value(named: string) {
            for feature in value.features where Self.warnedFeatures.contains(feature) {
                report.warnings.append(SchemaWarning(
                    command: command, path: path, feature: feature,
                    message: "value '\(string)' of argument '\(path)' of \(command) is \(feature)"))
            }
            return
        }
        let names = enumeration.names
        let suggestion = Suggestion.closest(to: string, in: names)
        var message = "invalid value '\(string)' for argument '\(path)' of \(command)"
        if suggestion == nil {
            let shown = names.prefix(12).joined(separator: ", ")
            message += names.count > 12 ? " (expected one of \(shown), … \(names.count) in all)" : " (expected one of \(shown))"
        }
        report.errors.append(SchemaValidationError(
            code: .invalidValue, command: command, path: path, message: message, suggestion: suggestion))
    }

    /// Whether a branch of an alternate takes `value`, judged by its JSON type as QEMU does.
    private func accepts(_ kind: SchemaType.Kind, _ value: JSON) -> Bool {
        switch kind {
        case .builtin(let builtin):
            switch (builtin.jsonType, value) {
            case ("value", _), ("string", .string), ("boolean", .bool), ("null", .null),
                ("int", .int), ("int", .uint), ("number", .int), ("number", .uint), ("number", .double):
                return true
            default:
                return false
            }
        case .enumeration:
            if case .string = value { return true }
        case .array:
            if case .array = value { return true }
        case .object:
            if case .object = value { return true }
        case .alternate:
            // `accepts` is only asked about branches that alternateBranches(of:) flattened.
            return true
        case .unknown:
            return true
        }
        return false
    }

    private mutating func wrongType(_ value: JSON, expected reference: SchemaTypeRef, path: String) {
        let expected = describe(reference, depth: 0)
        var message = "argument '\(path)' of \(command) must be \(expected), not \(article(value))"
        var suggestion: String?
        switch (schema[reference].kind, value) {
        case (.builtin(let builtin), .string(let text)) where builtin.jsonType == "boolean":
            switch text.lowercased() {
            case "on", "yes", "y", "1", "true": suggestion = "true"
            case "off", "no", "n", "0", "false": suggestion = "false"
            default: break
            }
        case (_, .int), (_, .uint), (_, .double), (_, .bool), (_, .null):
            if expectsString(reference) {
                message += " (quote it for a string: \(path)='\(value.serialized())')"
            }
        default:
            break
        }
        report.errors.append(SchemaValidationError(
            code: .wrongType, command: command, path: path, message: message, suggestion: suggestion))
    }

    private func expectsString(_ reference: SchemaTypeRef) -> Bool {
        switch schema[reference].kind {
        case .builtin(let builtin): return builtin.jsonType == "string"
        case .enumeration: return true
        case .alternate:
            // The flattened branches are never alternates: no recursion back into this case.
            return schema.alternateBranches(of: reference).contains(where: expectsString)
        default: return false
        }
    }

    /// "a string", "an integer", "a string or an object", ...
    func describe(_ reference: SchemaTypeRef, depth: Int) -> String {
        switch schema[reference].kind {
        case .builtin(let builtin):
            switch builtin.jsonType {
            case "string": return "a string"
            case "int": return "an integer"
            case "number": return "a number"
            case "boolean": return "a boolean (true or false)"
            case "null": return "null"
            default: return "any value"
            }
        case .enumeration: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        case .alternate(let branches):
            guard depth < 3 else { return "a value" }
            var seen: [String] = []
            for branch in branches {
                let text = describe(branch, depth: depth + 1)
                if !seen.contains(text) { seen.append(text) }
            }
            return seen.joined(separator: " or ")
        case .unknown: return "any value"
        }
    }

    private func article(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "the boolean \(flag)"
        case .int, .uint: return "an integer"
        case .double: return "a number"
        case .string(let text): return "the string '\(text)'"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
