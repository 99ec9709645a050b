/*
 * empty.c: do-nothing functions with the argument shapes of the measured calls. Each measured loop runs a second
 * time calling the matching one; its instructions (loop, argument set-up, call, ret) are subtracted, so a
 * figure is what the operation costs beyond an empty call. Separate translation unit: never inlined.
 */
#include <stdint.h>
int64_t bench_empty_p(void *a) { (void)a; return 0; }
int64_t bench_empty_pl(void *a, int64_t b) { (void)a; (void)b; return 0; }
int64_t bench_empty_pi(void *a, int32_t b) { (void)a; (void)b; return 0; }
int64_t bench_empty_pli(void *a, int64_t b, int32_t c) { (void)a; (void)b; (void)c; return 0; }
int64_t bench_empty_plp(void *a, int64_t b, void *c) { (void)a; (void)b; (void)c; return 0; }
int64_t bench_empty_pp(void *a, void *b) { (void)a; (void)b; return 0; }
int64_t bench_empty_plll(void *a, int64_t b, int64_t c, int64_t d) { (void)a; (void)b; (void)c; (void)d; return 0; }
int64_t bench_empty_ppp(void *a, void *b, void *c) { (void)a; (void)b; (void)c; return 0; }
int64_t bench_empty_pppp(void *a, void *b, void *c, void *d) { (void)a; (void)b; (void)c; (void)d; return 0; }
int64_t bench_empty_pllll(void *a, int64_t b, int64_t c, int64_t d, int64_t e) {
    (void)a; (void)b; (void)c; (void)d; (void)e; return 0;
}
