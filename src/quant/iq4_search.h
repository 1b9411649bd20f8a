// The non-linear 4-bit grid of IQ4_NL and IQ4_XS and ggml's reference search for it
// (quantize_row_iq4_nl_impl with no importance matrix: weights x^2, ntry = 7).
#pragma once

#include <cstdint>

namespace miaotui::quant {

// The 16 levels an IQ4 nibble indexes (a fact of the format).
inline constexpr int8_t kIq4NlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// Index of the grid value nearest to x (ties to the upper one, as ggml's best_index_int8).
int BestIq4Index(float x);

// The grid values of 32 nibbles in the Block32 layout: q[i] = kIq4NlValues[level i].
void UnpackIq4Values32(const uint8_t* qs, int8_t* q);

// Quantizes one super-block of `super_block` values (32 for IQ4_NL, 256 for IQ4_XS) in
// sub-blocks of 32. Writes the F16 scale to *dh and the nibbles to q4 (Block32 layout per 32
// values). With more than one sub-block it also writes 6-bit sub-block scales (stored +32):
// low nibbles to scales_l (two per byte), high two bits to *scales_h (bit pair j).
// importance (optional, super_block values): the fit weights x^2 become
// importance * sqrt(2 * mean(x^2) + x^2); null gives the reference bytes.
void QuantizeIq4SuperBlock(int super_block, const float* x, uint16_t* dh, uint8_t* q4,
                           uint16_t* scales_h, uint8_t* scales_l,
                           const float* importance = nullptr);

}  // namespace miaotui::quant
