// The scale searches of ggml's reference K-quant quantizers (what llama-quantize runs when no
// importance matrix is given), and the bit packings two or more K-formats share.
//
// Each search takes one sub-block x[0..n) and writes integer levels L[i]; the float arithmetic
// follows ggml's reference C in order and precision, so the bytes match llama-quantize's.
//
// Importance weights (calibration-aware quantization): the searches optionally take a weight
// per value, which replaces the built-in error weight (x^2 and the like). A null pointer is the
// default and gives exactly the reference behaviour, byte for byte.
#pragma once

#include <cstdint>

namespace miaotui::quant {

// Below this magnitude a sub-block counts as all zeros.
inline constexpr float kGroupMaxEps = 1e-15f;

// Symmetric levels L[i] in 0..2*nmax-1 (value L - nmax), scale chosen among 19 candidates
// around nmax / max|x| to maximize the weighted fit (weights x^2 for rmse_type 1). Returns the
// scale (signed). ggml's make_qx_quants; used by Q6_K. weights (optional): per-value error
// weights replacing the rmse_type weight (REQUIRES rmse_type >= 1 when given).
float MakeQxQuants(int n, int nmax, const float* x, int8_t* L, int rmse_type,
                   const float* weights = nullptr);

// Symmetric levels L[i] in 0..2*nmax-1, refined by coordinate descent with weights x^2 (up to 5
// passes). Returns the scale. ggml's make_q3_quants with do_rmse; used by Q3_K. weights
// (optional) replace x^2.
float MakeQ3Quants(int n, int nmax, const float* x, int8_t* L, const float* weights = nullptr);

// Affine levels L[i] in 0..nmax: x ~ scale * L - the_min, searching nstep + 1 candidate scales
// (rmin + rdelta * is + nmax) / (max - min) with a weighted least-squares fit of scale and min,
// keeping the one of least weighted error (absolute if use_mad, else squared). Writes -min to
// *the_min and returns the scale. ggml's make_qkx2_quants; used by Q2_K, Q4_K, Q5_K.
float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                     float* the_min, float rmin, float rdelta, int nstep, bool use_mad);

// Q2_K/Q3_K 2-bit packing of 256 levels: for each half h of 128, qs[32 h + l] holds
// L[128 h + l + 32 k] in bits 2k..2k+1 (k = 0..3).
void Pack2BitQuants(const uint8_t* L, uint8_t* qs);
int Get2BitQuant(const uint8_t* qs, int e);  // the level of element e (0..3)

// Q4_K/Q5_K/Q6_K nibble packing of 256 levels: for each 64 elements c, qs[32 c + l] holds
// L[64 c + l] in its low and L[64 c + 32 + l] in its high nibble.
void Pack4BitQuants(const uint8_t* L, uint8_t* qs);
int Get4BitQuant(const uint8_t* qs, int e);  // the low 4 bits of element e

// One extra bit per element (Q3_K hmask, Q5_K qh): bit e / 32 of mask[e % 32].
inline int GetBitPlane32(const uint8_t* mask, int e) { return (mask[e % 32] >> (e / 32)) & 1; }

// Q4_K/Q5_K 6-bit scales and mins of 8 sub-blocks, packed into 12 bytes.
void SetScaleMinK4(int j, uint8_t sc, uint8_t m, uint8_t* scales);  // REQUIRES: j ascending
void GetScaleMinK4(int j, const uint8_t* scales, uint8_t* sc, uint8_t* m);

// The first stage shared by Q4_K and Q5_K: per 32-element sub-block, MakeQkx2Quants with
// weights av_x + |x| (av_x = rms of the sub-block), then 6-bit scales and mins relative to F16 d
// and dmin, then the levels L[i] in 0..nmax requantized with those rounded scales.
// importance (optional, 256 values): the fit weights become ImportanceWeights(x, importance,
// 2 * mean(x^2)).
void QuantizeK4Scales(const float* x, int nmax, float rmin, int nstep, uint16_t* d,
                      uint16_t* dmin, uint8_t* scales, uint8_t* L,
                      const float* importance = nullptr);

// Error weights from per-column importances, as llama.cpp weighs its importance matrix:
// w[i] = importance[i] * sqrt(sigma2 + x[i]^2).
void ImportanceWeights(const float* x, const float* importance, int n, float sigma2, float* w);

// sum(x^2) / n.
float MeanSquare(const float* x, int n);

}  // namespace miaotui::quant
