#ifndef BENCH_EMPTY_H
#define BENCH_EMPTY_H
#include <stdint.h>
int64_t bench_empty_p(void *a);
int64_t bench_empty_pl(void *a, int64_t b);
int64_t bench_empty_pi(void *a, int32_t b);
int64_t bench_empty_pli(void *a, int64_t b, int32_t c);
int64_t bench_empty_plp(void *a, int64_t b, void *c);
int64_t bench_empty_pp(void *a, void *b);
int64_t bench_empty_plll(void *a, int64_t b, int64_t c, int64_t d);
int64_t bench_empty_ppp(void *a, void *b, void *c);
int64_t bench_empty_pppp(void *a, void *b, void *c, void *d);
int64_t bench_empty_pllll(void *a, int64_t b, int64_t c, int64_t d, int64_t e);
#endif
