// Typed wrappers for libedit's variadic el_set/el_get/history calls, which Swift cannot call.
// They are defined in lazy_libedit.c, which loads libedit on first use (docs/adr/0016).
// Only HLSRepl imports this module, and only `internal`ly.
#ifndef HLSH_CLIBEDIT_SHIM_H
#define HLSH_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <histedit.h>

typedef char *(*hlsh_el_prompt_fn)(EditLine *);
typedef unsigned char (*hlsh_el_command_fn)(EditLine *, int);

/// The prompt function; bytes between two `marker` characters in its text are printed as they
/// are but take no room on the screen (escape sequences: libedit's EL_PROMPT_ESC).
int hlsh_el_set_prompt(EditLine *e, hlsh_el_prompt_fn f, char marker);
int hlsh_el_set_rprompt(EditLine *e, hlsh_el_prompt_fn f);
int hlsh_el_set_editor(EditLine *e, const char *mode);
/// libedit's own signal handling: hlsh turns it off and handles SIGINT itself.
int hlsh_el_set_signal(EditLine *e, int on);
int hlsh_el_set_history(EditLine *e, History *h);
int hlsh_el_set_clientdata(EditLine *e, void *data);
/// The function libedit reads each character with (EL_GETCFN).
int hlsh_el_set_getcfn(EditLine *e, el_rfunc_t f);
void *hlsh_el_get_clientdata(EditLine *e);
int hlsh_el_addfn(EditLine *e, const char *name, const char *help, hlsh_el_command_fn f);
int hlsh_el_bind(EditLine *e, const char *key, const char *command);
int hlsh_el_get_editmode(EditLine *e);

int hlsh_history_setsize(History *h, int n);
int hlsh_history_setunique(History *h, int on);
int hlsh_history_enter(History *h, const char *line);
int hlsh_history_load(History *h, const char *path);
int hlsh_history_save(History *h, const char *path);
int hlsh_history_clear(History *h);
/// The newest history entry's text (filling `ev`), or NULL when there is none.
const char *hlsh_history_first(History *h, HistEvent *ev);
/// The entry before the one in `ev`, or NULL at the oldest.
const char *hlsh_history_next(History *h, HistEvent *ev);
int hlsh_history_count(History *h);

#endif
