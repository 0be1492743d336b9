// libedit, loaded on first use (docs/adr/0016): the functions hlsh calls, and shim.h's typed
// wrappers for the variadic el_set/el_get/history, call the real libedit through a table filled
// when libedit.so.2 is first needed, so the binary does not need libedit at start.
#include "include/shim.h"

#include <hlsh_lazy_load.h>
#include <stddef.h>

#if defined(__APPLE__)
#define LIBEDIT_SONAME "libedit.3.dylib"
#else
#define LIBEDIT_SONAME "libedit.so.2"
#endif

/// libedit's entry points and variadic functions, used by the code written out below.
#define LIBEDIT_OWN_STUBS(X)                                                                                           \
    X(el_init)                                                                                                         \
    X(history_init)                                                                                                    \
    X(el_set)                                                                                                          \
    X(el_get)                                                                                                          \
    X(history)

/// libedit's functions on an EditLine or History that return a value.
#define LIBEDIT_VALUE_FUNCTIONS(X)                                                                                     \
    X(const char *, el_gets, (EditLine * e, int *count), (e, count))                                                   \
    X(const LineInfo *, el_line, (EditLine * e), (e))                                                                  \
    X(int, el_insertstr, (EditLine * e, const char *text), (e, text))                                                  \
    X(int, el_source, (EditLine * e, const char *path), (e, path))

/// libedit's functions on an EditLine or History that return nothing.
#define LIBEDIT_VOID_FUNCTIONS(X)                                                                                      \
    X(void, el_deletestr, (EditLine * e, int count), (e, count))                                                       \
    X(void, el_end, (EditLine * e), (e))                                                                               \
    X(void, history_end, (History * h), (h))

// The table, the loader and the stubs of the value and void lists.
HLSH_LAZY_DEFINE(LIBEDIT_SONAME, "libedit2", 0, LIBEDIT_OWN_STUBS, LIBEDIT_VALUE_FUNCTIONS, LIBEDIT_VOID_FUNCTIONS)

// MARK: Entry points: NULL without libedit

HLSH_LAZY_STUB EditLine *el_init(const char *program, FILE *in, FILE *out, FILE *err) {
    return lazy_loaded() ? lazy_functions.el_init(program, in, out, err) : NULL;
}

HLSH_LAZY_STUB History *history_init(void) { return lazy_loaded() ? lazy_functions.history_init() : NULL; }

// MARK: shim.h's wrappers for the variadic functions

/// el_set with the arguments one operation takes.
#define EL_SET(e, ...) lazy_api("el_set")->el_set(e, __VA_ARGS__)
/// history with the arguments one operation takes (the event is scratch).
#define HISTORY(h, ...) lazy_api("history")->history(h, __VA_ARGS__)

int hlsh_el_set_prompt(EditLine *e, hlsh_el_prompt_fn f, char marker) { return EL_SET(e, EL_PROMPT_ESC, f, marker); }
int hlsh_el_set_rprompt(EditLine *e, hlsh_el_prompt_fn f) { return EL_SET(e, EL_RPROMPT, f); }
int hlsh_el_set_editor(EditLine *e, const char *mode) { return EL_SET(e, EL_EDITOR, mode); }
int hlsh_el_set_signal(EditLine *e, int on) { return EL_SET(e, EL_SIGNAL, on); }
/// Hands libedit the real `history` function, which it calls with `h`.
int hlsh_el_set_history(EditLine *e, History *h) {
    const struct lazy_functions *api = lazy_api("el_set");
    return api->el_set(e, EL_HIST, api->history, h);
}
int hlsh_el_set_clientdata(EditLine *e, void *data) { return EL_SET(e, EL_CLIENTDATA, data); }
int hlsh_el_set_getcfn(EditLine *e, el_rfunc_t f) { return EL_SET(e, EL_GETCFN, f); }
void *hlsh_el_get_clientdata(EditLine *e) {
    void *data = NULL;
    lazy_api("el_get")->el_get(e, EL_CLIENTDATA, &data);
    return data;
}
int hlsh_el_addfn(EditLine *e, const char *name, const char *help, hlsh_el_command_fn f) {
    return EL_SET(e, EL_ADDFN, name, help, f);
}
int hlsh_el_bind(EditLine *e, const char *key, const char *command) {
    return EL_SET(e, EL_BIND, key, command, (const char *)NULL);
}
int hlsh_el_get_editmode(EditLine *e) {
    int on = 0;
    lazy_api("el_get")->el_get(e, EL_EDITMODE, &on);
    return on;
}

/// One history event's text, or NULL when there is none.
static const char *history_event(History *h, HistEvent *ev, int op) { return HISTORY(h, ev, op) == -1 ? NULL : ev->str; }

int hlsh_history_setsize(History *h, int n) { HistEvent ev; return HISTORY(h, &ev, H_SETSIZE, n); }
int hlsh_history_setunique(History *h, int on) { HistEvent ev; return HISTORY(h, &ev, H_SETUNIQUE, on); }
int hlsh_history_enter(History *h, const char *line) { HistEvent ev; return HISTORY(h, &ev, H_ENTER, line); }
int hlsh_history_load(History *h, const char *path) { HistEvent ev; return HISTORY(h, &ev, H_LOAD, path); }
int hlsh_history_save(History *h, const char *path) { HistEvent ev; return HISTORY(h, &ev, H_SAVE, path); }
int hlsh_history_clear(History *h) { HistEvent ev; return HISTORY(h, &ev, H_CLEAR); }
const char *hlsh_history_first(History *h, HistEvent *ev) { return history_event(h, ev, H_LAST); }
const char *hlsh_history_next(History *h, HistEvent *ev) { return history_event(h, ev, H_PREV); }
int hlsh_history_count(History *h) {
    HistEvent ev;
    return HISTORY(h, &ev, H_GETSIZE) == -1 ? 0 : ev.num;
}
