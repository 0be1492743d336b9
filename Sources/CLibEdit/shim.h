// Typed wrappers for libedit's variadic el_set/el_get/history calls, which Swift cannot call.
// Only HLSRepl imports this module, and only `internal`ly.
#ifndef HLSH_CLIBEDIT_SHIM_H
#define HLSH_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <histedit.h>

typedef char *(*hlsh_el_prompt_fn)(EditLine *);
typedef unsigned char (*hlsh_el_command_fn)(EditLine *, int);

static inline int hlsh_el_set_prompt(EditLine *e, hlsh_el_prompt_fn f) { return el_set(e, EL_PROMPT, f); }
static inline int hlsh_el_set_rprompt(EditLine *e, hlsh_el_prompt_fn f) { return el_set(e, EL_RPROMPT, f); }
static inline int hlsh_el_set_editor(EditLine *e, const char *mode) { return el_set(e, EL_EDITOR, mode); }
/// libedit's own signal handling: hlsh turns it off and handles SIGINT itself.
static inline int hlsh_el_set_signal(EditLine *e, int on) { return el_set(e, EL_SIGNAL, on); }
static inline int hlsh_el_set_history(EditLine *e, History *h) { return el_set(e, EL_HIST, history, h); }
static inline int hlsh_el_set_clientdata(EditLine *e, void *data) { return el_set(e, EL_CLIENTDATA, data); }
static inline void *hlsh_el_get_clientdata(EditLine *e) {
    void *data = NULL;
    el_get(e, EL_CLIENTDATA, &data);
    return data;
}
static inline int hlsh_el_addfn(EditLine *e, const char *name, const char *help, hlsh_el_command_fn f) {
    return el_set(e, EL_ADDFN, name, help, f);
}
static inline int hlsh_el_bind(EditLine *e, const char *key, const char *command) {
    return el_set(e, EL_BIND, key, command, NULL);
}
static inline int hlsh_el_get_editmode(EditLine *e) {
    int on = 0;
    el_get(e, EL_EDITMODE, &on);
    return on;
}

/// One history event's text, or NULL when there is none.
static inline const char *hlsh_history_event(History *h, HistEvent *ev, int op) {
    return history(h, ev, op) == -1 ? NULL : ev->str;
}
static inline int hlsh_history_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int hlsh_history_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int hlsh_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int hlsh_history_load(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_LOAD, path); }
static inline int hlsh_history_save(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_SAVE, path); }
static inline int hlsh_history_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }
static inline const char *hlsh_history_first(History *h, HistEvent *ev) { return hlsh_history_event(h, ev, H_LAST); }
static inline const char *hlsh_history_next(History *h, HistEvent *ev) { return hlsh_history_event(h, ev, H_PREV); }
static inline int hlsh_history_count(History *h) {
    HistEvent ev;
    return history(h, &ev, H_GETSIZE) == -1 ? 0 : ev.num;
}

#endif
