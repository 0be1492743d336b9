/// The registry of objects and verbs.
public enum Commands {}
