/// `homelab.yaml`: the declarative description of the lab, validated with errors that name the
/// file, line and field. It is built by issue 5; until then this module declares only its namespace.
public enum Inventory {}
