import CLibYAML
import Foundation

/// Reads a file's bytes with libyaml's event parser and hands each event to `YAMLTreeBuilder`,
/// which builds the located node tree in the same pass.
///
/// libyaml does the YAML itself (scanning, quoting, escapes, block scalars, flow collections);
/// this type turns its C events into `YAMLEvent` values with 1-based locations and words its
/// syntax errors. Nothing here recurses, so no input can overflow the stack.
struct YAMLParser {
    let file: String
    let limits: YAMLLimits
    /// The file's bytes, valid UTF-8 (checked before), to turn libyaml's byte offsets into
    /// lines and columns.
    let bytes: [UInt8]

    /// Parses the whole stream.
    /// - Returns: The document's root node, or nil when the stream holds no document or a
    ///   document with nothing in it.
    /// - Throws: `YAMLError` for syntax errors, for anything beyond the limits and for the YAML
    ///   features the loader refuses (see `YAMLTreeBuilder`).
    func parse() throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .tooComplex("libyaml could not allocate a parser", file: file, at: nil)
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        var builder = YAMLTreeBuilder(file: file, limits: limits)
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(syntaxError(parser))
                }
                defer { yaml_event_delete(&event) }
                do throws(YAMLError) {
                    if event.type == YAML_STREAM_END_EVENT {
                        return .success(try builder.finish())
                    }
                    if let translated = Self.translate(event) {
                        let mark = event.start_mark
                        try builder.handle(
                            translated, at: YAMLLocation(file: file, line: mark.line + 1, column: mark.column + 1))
                    }
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// The event as the builder sees it; nil for the stream's start and a document's end, which
    /// carry nothing it needs.
    private static func translate(_ event: yaml_event_t) -> YAMLEvent? {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style: YAMLScalar.Style
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE, YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .quoted
            case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: style = .block
            default: style = .plain
            }
            return .scalar(
                YAMLScalar(text: text, style: style), anchor: string(scalar.anchor), isTagged: scalar.tag != nil)
        case YAML_ALIAS_EVENT:
            return .alias(string(event.data.alias.anchor) ?? "")
        case YAML_SEQUENCE_START_EVENT:
            return .listStart(anchor: string(event.data.sequence_start.anchor))
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: string(event.data.mapping_start.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            return .end
        default:
            return nil
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml's error, located: scanner and parser errors carry a mark, reader errors (bad
    /// characters) a byte offset.
    private func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        var problem = parser.problem.map { String(cString: $0) } ?? "libyaml gave no reason"
        let location: YAMLLocation
        if parser.error == YAML_READER_ERROR {
            location = YAMLText.location(ofByteOffset: parser.problem_offset, in: bytes, file: file)
            if parser.problem_value >= 0 {
                problem += String(format: " (U+%04X)", parser.problem_value)
            }
        } else {
            location = YAMLLocation(
                file: file, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1)
        }
        if let context = parser.context {
            let mark = parser.context_mark
            problem += " (\(String(cString: context)) that starts at line \(mark.line + 1), column \(mark.column + 1))"
        }
        return .syntax(problem, at: location)
    }
}

/// One of libyaml's parse events, as Swift values (the location travels beside it).
enum YAMLEvent {
    /// A document starts (`---`, or implied by the first content).
    case documentStart
    /// A scalar: its text and style, its anchor (`&name`), whether it has an explicit tag.
    case scalar(YAMLScalar, anchor: String?, isTagged: Bool)
    /// An alias (`*name`).
    case alias(String)
    /// A list starts, with its anchor.
    case listStart(anchor: String?)
    /// A mapping starts, with its anchor.
    case mappingStart(anchor: String?)
    /// The innermost open list or mapping ends.
    case end
}
