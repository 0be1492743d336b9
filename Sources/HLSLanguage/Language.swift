/// The .hls language: lexer, parser, values, interpreter.
public enum Language {}
