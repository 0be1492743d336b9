# nft-json.awk — used by the simulated nft: one stored table (text as `nft -f` read it, FAMILY and
# TABLE given) printed as the objects `nft -j list ruleset` gives for it, each after a comma.
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function fail(msg) { printf "Error: simulated nft cannot print as JSON: %s\n", msg > "/dev/stderr"; failed = 1; exit 1 }
# tokenize LINE into tok[1..ntok]: words, "quoted strings", { } and (inside braces) , as their
# own tokens; outside braces a comma stays in its word (ct state established,related).
function tokenize(line,    c, i, w, depth) {
    ntok = 0; w = ""; depth = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (c == "\"") {
            j = index(substr(line, i + 1), "\"")
            tok[++ntok] = substr(line, i, j + 1); i += j; continue
        }
        if (c == " " || c == "\t" || c == ";" || c == "{" || c == "}" || (c == "," && depth > 0)) {
            if (w != "") { tok[++ntok] = w; w = "" }
            if (c == "{") depth++
            if (c == "}") depth--
            if (c == "{" || c == "}" || c == ",") tok[++ntok] = c
            continue
        }
        w = w c
    }
    if (w != "") tok[++ntok] = w
}
# scalar WORD as a JSON value: number, range, prefix, @set reference or string.
function scalar(w,    a) {
    if (w ~ /^"/) return q(substr(w, 2, length(w) - 2))
    if (w ~ /^[0-9]+$/) return w + 0
    if (w ~ /^[0-9]+-[0-9]+$/) { split(w, a, "-"); return "{\"range\": [" a[1] ", " a[2] "]}" }
    if (w ~ /^[0-9.]+\/[0-9]+$/) { split(w, a, "/"); return "{\"prefix\": {\"addr\": " q(a[1]) ", \"len\": " a[2] "}}" }
    return q(w)
}
# value — the value at tok[pos]: one word, or { a, b } (a set); advances pos.
function value(    out, n) {
    if (tok[pos] == "{") {
        out = ""; n = 0; pos++
        while (pos <= ntok && tok[pos] != "}") {
            if (tok[pos] != ",") { out = out (n++ ? ", " : "") scalar(tok[pos]) }
            pos++
        }
        pos++
        return "{\"set\": [" out "]}"
    }
    return scalar(tok[pos++])
}
function match_(left,    op, right, a, n, i, out) {
    op = "=="
    if (tok[pos] == "!=") { op = "!="; pos++ }
    if (left ~ /"ct"/ && tok[pos] ~ /,/) {
        n = split(tok[pos++], a, ",")
        out = ""
        for (i = 1; i <= n; i++) out = out (i > 1 ? ", " : "") q(a[i])
        return "{\"match\": {\"op\": \"in\", \"left\": " left ", \"right\": [" out "]}}"
    }
    right = value()
    return "{\"match\": {\"op\": " q(op) ", \"left\": " left ", \"right\": " right "}}"
}
function rule(line,    out, w, n) {
    tokenize(line)
    pos = 1; out = ""; n = 0
    while (pos <= ntok) {
        w = tok[pos++]
        if (w == "ct" && tok[pos] == "state") { pos++; e = match_("{\"ct\": {\"key\": \"state\"}}") }
        else if (w == "iif" || w == "iifname" || w == "oif" || w == "oifname") e = match_("{\"meta\": {\"key\": " q(w) "}}")
        else if (w == "meta") { k = tok[pos++]; e = match_("{\"meta\": {\"key\": " q(k) "}}") }
        else if (w == "ip" || w == "tcp" || w == "udp") {
            f = tok[pos++]
            e = match_("{\"payload\": {\"protocol\": " q(w) ", \"field\": " q(f) "}}")
        }
        else if (w == "accept" || w == "drop" || w == "reject" || w == "return") e = "{" q(w) ": null}"
        else if (w == "counter") e = "{\"counter\": {\"packets\": 0, \"bytes\": 0}}"
        else if (w == "jump" || w == "goto") e = "{" q(w) ": {\"target\": " q(tok[pos++]) "}}"
        else fail("the statement \"" w "\" in: " line)
        out = out (n++ ? ", " : "") e
    }
    handle++
    rules = rules sprintf(", {\"rule\": {\"family\": %s, \"table\": %s, \"chain\": %s, \"handle\": %d, \"expr\": [%s]}}", q(family), q(table), q(chain), handle, out)
}
BEGIN { printf ", {\"table\": {\"family\": %s, \"name\": %s, \"handle\": 1}}", q(family), q(table); handle = 1 }
/^[ \t]*(#|$)/ { next }
/^[ \t]*table / { next }
/^[ \t]*set / {
    tokenize($0)
    name = tok[2]; type = ""; flags = ""; elems = ""; n = 0
    for (pos = 3; pos <= ntok; pos++) {
        if (tok[pos] == "type") type = tok[++pos]
        else if (tok[pos] == "flags") flags = tok[++pos]
        else if (tok[pos] == "elements") {
            pos += 3
            while (pos <= ntok && tok[pos] != "}") { if (tok[pos] != ",") elems = elems (n++ ? ", " : "") scalar(tok[pos]); pos++ }
        }
    }
    handle++
    printf ", {\"set\": {\"family\": %s, \"name\": %s, \"table\": %s, \"type\": %s, \"handle\": %d%s%s}}", q(family), q(name), q(table), q(type), handle, flags == "" ? "" : ", \"flags\": [" q(flags) "]", n ? ", \"elem\": [" elems "]" : ""
    next
}
/^[ \t]*chain / { chain = $2; header = ""; rules = ""; chainhandle = ++handle; next }
chain != "" && /^[ \t]*type / {
    tokenize($0)
    for (pos = 1; pos <= ntok; pos++) {
        if (tok[pos] == "type") header = header ", \"type\": " q(tok[++pos])
        else if (tok[pos] == "hook") header = header ", \"hook\": " q(tok[++pos])
        else if (tok[pos] == "priority") { p = tok[++pos]; header = header ", \"prio\": " (p == "filter" ? 0 : p + 0) }
        else if (tok[pos] == "policy") header = header ", \"policy\": " q(tok[++pos])
    }
    next
}
chain != "" && /^[ \t]*}/ {
    printf ", {\"chain\": {\"family\": %s, \"table\": %s, \"name\": %s, \"handle\": %d%s}}%s", q(family), q(table), q(chain), chainhandle, header, rules
    chain = ""
    next
}
chain != "" { rule($0); next }
/^[ \t]*}/ { next }
{ fail("the line: " $0) }
