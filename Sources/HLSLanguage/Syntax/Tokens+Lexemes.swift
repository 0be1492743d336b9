extension Tokens {
    /// A token with its text or decoded value in one enum, for comparing the lexer's output
    /// in tests and when debugging (the parser reads `Token`s and the side tables instead).
    public enum Lexeme: Sendable, Equatable {
        case newline
        case semicolon
        case lbrace, rbrace, lparen, rparen, lbracket, rbracket
        case comma, colon, pipe
        case word(String)
        case rawString(String)
        case template([TemplatePart])
        case variable(name: String, path: [String])
        case eof
    }

    /// Every token as a `Lexeme`.
    public var lexemes: [Lexeme] { tokens.map(lexeme) }

    public func lexeme(_ token: Token) -> Lexeme {
        switch token.kind {
        case .newline: return .newline
        case .semicolon: return .semicolon
        case .lbrace: return .lbrace
        case .rbrace: return .rbrace
        case .lparen: return .lparen
        case .rparen: return .rparen
        case .lbracket: return .lbracket
        case .rbracket: return .rbracket
        case .comma: return .comma
        case .colon: return .colon
        case .pipe: return .pipe
        case .word: return .word(text(of: token))
        case .rawString: return .rawString(strings[Int(token.payload)])
        case .template: return .template(Array(parts(of: token)))
        case .variable:
            let v = variables[Int(token.payload)]
            return .variable(name: v.name, path: v.path)
        case .eof: return .eof
        }
    }
}
