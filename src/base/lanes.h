/* lanes.h - a few doubles side by side, for loops the compiler leaves scalar.
 *
 * GCC's generic vector extension: +, -, *, / and comparisons act lane by
 * lane with the IEEE operations of one double each (and -ffp-contract=off
 * keeps products and sums apart), so a loop written with these types gives
 * the bits of the scalar loop whatever instructions carry the lanes.  Two
 * lanes are one SSE2 register, the x86-64 baseline; four are two of them
 * (one AVX register where the compiler may use it).  Loads and stores may be
 * unaligned (aligned to a double).  lane_bits2 reads and writes doubles as
 * their bits (may_alias), for masks.
 */
#ifndef DESCENT_LANES_H
#define DESCENT_LANES_H

typedef double lanes2 __attribute__((vector_size(2 * sizeof(double)), aligned(sizeof(double))));
typedef double lanes4 __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double))));
typedef long long lane_bits2 __attribute__((vector_size(2 * sizeof(long long)),
					    aligned(sizeof(double)), may_alias));

#endif
