// trig_none.wgsl — stands in for trig_large.wgsl in shaders whose sin and cos never see |x| > 65536: the
// matmul epilogue runs sin and cos as a separate unary pass (kMatmul), and no other shader calls them. Reaching it
// anyway gives NaN, never a quietly wrong value.

fn reduce_pio2_large(ax: f32) -> ReducedPiO2 {
  return ReducedPiO2(make_nan(bitcast<u32>(ax)), 0u);
}
