/// The interactive shell.
public enum Repl {}
