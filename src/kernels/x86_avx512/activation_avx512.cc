// AVX-512 activations: exp by range reduction to [-ln2/2, ln2/2] and a degree-6 polynomial
// scaled back with vscalefps; erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7); tanh through
// exp(-2|x|) with the sign restored. Tails use masked loads and stores.
#include <immintrin.h>

#include <cmath>

#include "kernels/activation.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

inline __m512 Exp(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.5f)), _mm512_set1_ps(-103.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 Tanh(__m512 x) {
  // tanh|x| = (1 - e) / (1 + e), e = exp(-2|x|); sign restored from x.
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 e = Exp(_mm512_mul_ps(ax, _mm512_set1_ps(-2.0f)));
  const __m512 t = _mm512_div_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), e),
                                 _mm512_add_ps(_mm512_set1_ps(1.0f), e));
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign));
}

inline __m512 Erf(__m512 x) {
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f),
                                 _mm512_fmadd_ps(ax, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
  __m512 p = _mm512_set1_ps(1.061405429f);
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
  p = _mm512_mul_ps(p, t);
  const __m512 e = Exp(_mm512_mul_ps(_mm512_mul_ps(ax, ax), _mm512_set1_ps(-1.0f)));
  const __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), sign));
}

template <typename F>
inline void Map(const float* a, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(a + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m, f(_mm512_maskz_loadu_ps(m, a + i)));
  }
}

}  // namespace

void SiluMul(const float* a, const float* b, float* y, int64_t n) {
  int64_t i = 0;
  auto silu_mul = [](__m512 x, __m512 z) {
    const __m512 s = _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f),
                                                    Exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
    return _mm512_mul_ps(s, z);
  };
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(y + i, silu_mul(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m,
                          silu_mul(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i)));
  }
}

void Gelu(const float* a, float* y, int64_t n, bool tanh_form) {
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
  if (tanh_form) {
    Map(a, y, n, [&](__m512 x) {
      const __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
      const __m512 u = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f),
                                     _mm512_fmadd_ps(x3, _mm512_set1_ps(0.044715f), x));
      return _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, Tanh(u)));
    });
  } else {
    Map(a, y, n, [&](__m512 x) {
      const __m512 e = Erf(_mm512_mul_ps(x, _mm512_set1_ps(0.7071067811865476f)));
      return _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, e));
    });
  }
}

void Tanh(const float* a, float* y, int64_t n) { Map(a, y, n, [](__m512 x) { return Tanh(x); }); }

void Softmax(float* x, int64_t n, float scale) {
  const __m512 s = _mm512_set1_ps(scale);
  __m512 mv = _mm512_set1_ps(-INFINITY);
  __mmask16 nan = 0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + i), s);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    mv = _mm512_max_ps(mv, v);
  }
  const __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
  if (i < n) {
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + i), s);
    nan |= _mm512_mask_cmp_ps_mask(tail, v, v, _CMP_UNORD_Q);
    mv = _mm512_mask_max_ps(mv, tail, mv, v);
  }
  if (nan) {  // a NaN anywhere makes the row NaN, as the reference's sum does (Exp clamps NaN)
    Map(x, x, n, [](__m512) { return _mm512_set1_ps(NAN); });
    return;
  }
  const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
  __m512 sum = _mm512_setzero_ps();
  // exp of an argument below ln(FLT_MIN) is 0 here (Exp would give a denormal down to 1e-45), so
  // a -inf (masked) entry gets exactly 0.
  const auto exp0 = [](__m512 a) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(-87.33f), _CMP_GE_OQ), Exp(a));
  };
  for (i = 0; i + 16 <= n; i += 16) {
    const __m512 e = exp0(_mm512_fmsub_ps(_mm512_loadu_ps(x + i), s, m));
    _mm512_storeu_ps(x + i, e);
    sum = _mm512_add_ps(sum, e);
  }
  if (i < n) {
    const __m512 e = exp0(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(tail, x + i), s, m));
    _mm512_mask_storeu_ps(x + i, tail, e);
    sum = _mm512_mask_add_ps(sum, tail, sum, e);
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
  Map(x, x, n, [&](__m512 v) { return _mm512_mul_ps(v, inv); });
}

}  // namespace miaotui::kernels::internal::avx512
