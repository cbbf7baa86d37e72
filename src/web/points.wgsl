// The 3D feature view (src/web/view3d.ts). One pipeline draws instanced screen-aligned discs (6 vertices
// per point, topology triangle-list), the other the guide lines (line-list); both read xyz + rgb.
// Bindings: @group(0) @binding(0) the uniform: view-projection matrix, then the disc radius in clip units (x, y).

struct View {
  viewProj: mat4x4f,
  radius: vec2f,
}
@group(0) @binding(0) var<uniform> view: View;

struct Disc {
  @builtin(position) position: vec4f,
  @location(0) color: vec3f,
  @location(1) corner: vec2f,
}

@vertex
fn disc_vertex(@builtin(vertex_index) v: u32, @location(0) center: vec3f, @location(1) color: vec3f) -> Disc {
  var corners = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(-1, 1), vec2f(-1, 1), vec2f(1, -1), vec2f(1, 1));
  let corner = corners[v];
  let clip = view.viewProj * vec4f(center, 1.0);
  var out: Disc;
  // Offset in clip space scaled by w: the same size on screen at any depth.
  out.position = vec4f(clip.xy + corner * view.radius * clip.w, clip.z, clip.w);
  out.color = color;
  out.corner = corner;
  return out;
}

@fragment
fn disc_fragment(in: Disc) -> @location(0) vec4f {
  let r2 = dot(in.corner, in.corner);
  if (r2 > 1.0) {
    discard;
  }
  // A little shading so the discs read as balls.
  return vec4f(in.color * (1.0 - 0.35 * r2), 1.0);
}

struct Line {
  @builtin(position) position: vec4f,
  @location(0) color: vec3f,
}

@vertex
fn line_vertex(@location(0) p: vec3f, @location(1) color: vec3f) -> Line {
  var out: Line;
  out.position = view.viewProj * vec4f(p, 1.0);
  out.color = color;
  return out;
}

@fragment
fn line_fragment(in: Line) -> @location(0) vec4f {
  return vec4f(in.color, 1.0);
}
