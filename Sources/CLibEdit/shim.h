// Non-variadic wrappers around libedit's variadic el_set/el_get/history (Swift cannot call C variadic functions),
// and accessors for Glibc's standard streams (Swift 6 rejects direct use of the mutable globals).
#ifndef QMPKIT_CLIBEDIT_SHIM_H
#define QMPKIT_CLIBEDIT_SHIM_H

#include <histedit.h>
#include <stdio.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>

typedef char *(*qk_prompt_fn)(EditLine *);
typedef unsigned char (*qk_command_fn)(EditLine *, int);

static inline FILE *qk_stdin(void) { return stdin; }
static inline FILE *qk_stdout(void) { return stdout; }
static inline FILE *qk_stderr(void) { return stderr; }

static inline int qk_el_set_prompt(EditLine *e, qk_prompt_fn f) { return el_set(e, EL_PROMPT, f); }
static inline int qk_el_set_editor(EditLine *e, const char *mode) { return el_set(e, EL_EDITOR, mode); }
static inline int qk_el_set_signal(EditLine *e, int on) { return el_set(e, EL_SIGNAL, on); }
static inline int qk_el_set_history(EditLine *e, History *h) { return el_set(e, EL_HIST, history, h); }
static inline int qk_el_set_clientdata(EditLine *e, void *data) { return el_set(e, EL_CLIENTDATA, data); }
static inline void *qk_el_get_clientdata(EditLine *e) {
    void *data = NULL;
    el_get(e, EL_CLIENTDATA, &data);
    return data;
}
static inline int qk_el_set_getcfn(EditLine *e, el_rfunc_t f) { return el_set(e, EL_GETCFN, f); }
static inline int qk_el_addfn(EditLine *e, const char *name, const char *help, qk_command_fn f) {
    return el_set(e, EL_ADDFN, name, help, f);
}
static inline int qk_el_bind(EditLine *e, const char *key, const char *command) {
    return el_set(e, EL_BIND, key, command, NULL);
}
static inline int qk_el_refresh(EditLine *e) { return el_set(e, EL_REFRESH); }
static inline int qk_el_prep_term(EditLine *e, int on) { return el_set(e, EL_PREP_TERM, on); }
static inline int qk_el_columns(EditLine *e) {
    int columns = 0;
    if (el_get(e, EL_GETTC, "co", &columns, NULL) != 0) return 80;
    return columns > 0 ? columns : 80;
}

static inline int qk_history_setsize(History *h, HistEvent *ev, int size) { return history(h, ev, H_SETSIZE, size); }
static inline int qk_history_setunique(History *h, HistEvent *ev, int on) { return history(h, ev, H_SETUNIQUE, on); }
static inline int qk_history_enter(History *h, HistEvent *ev, const char *line) { return history(h, ev, H_ENTER, line); }
static inline int qk_history_load(History *h, HistEvent *ev, const char *file) { return history(h, ev, H_LOAD, file); }
static inline int qk_history_save(History *h, HistEvent *ev, const char *file) { return history(h, ev, H_SAVE, file); }
/// Saves to a stream the caller opened (safely, see QMPWire's SafeFile) instead of libedit's own fopen.
static inline int qk_history_save_fp(History *h, HistEvent *ev, FILE *fp) { return history(h, ev, H_SAVE_FP, fp); }

/// Display width of a wide character (not exported by Swift's Glibc module).
extern int wcwidth(wchar_t c);

#endif
