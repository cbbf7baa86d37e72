/**
 * An orbit camera around the origin (wgpu-matrix: mat4.perspective and mat4.lookAt): drag changes yaw and
 * pitch, the wheel the distance. Clip space is WebGPU's (z in [0, 1]); the same matrix projects the 2D fallback.
 */
import { mat4, vec4, type Mat4 } from 'wgpu-matrix';

/** Orbit parameters: angles in radians, distance from the origin. */
export interface Orbit {
  yaw: number;
  pitch: number;
  distance: number;
}

/** A three-quarter view of the unit cylinder the neurons live in. */
export function defaultOrbit(): Orbit {
  return { yaw: 0.6, pitch: 0.5, distance: 4.5 };
}

/** The view-projection matrix of `orbit` for a viewport with this aspect ratio (width / height); z is up. */
export function viewProjection(orbit: Orbit, aspect: number): Mat4 {
  const c = Math.cos(orbit.pitch);
  const eye = [orbit.distance * c * Math.cos(orbit.yaw), orbit.distance * c * Math.sin(orbit.yaw), orbit.distance * Math.sin(orbit.pitch)];
  const view = mat4.lookAt(eye, [0, 0, 0], [0, 0, 1]);
  const proj = mat4.perspective((45 * Math.PI) / 180, aspect, 0.1, 100);
  return mat4.multiply(proj, view);
}

/** The orbit after a mouse drag of (dx, dy) pixels: 0.01 rad per pixel, pitch kept short of the poles. */
export function dragged(orbit: Orbit, dx: number, dy: number): Orbit {
  const limit = Math.PI / 2 - 0.05;
  return { ...orbit, yaw: orbit.yaw - dx * 0.01, pitch: Math.max(-limit, Math.min(limit, orbit.pitch + dy * 0.01)) };
}

/** The orbit after a wheel turn of `deltaY` (positive: away), distance kept in [1.5, 20]. */
export function zoomed(orbit: Orbit, deltaY: number): Orbit {
  return { ...orbit, distance: Math.max(1.5, Math.min(20, orbit.distance * Math.exp(deltaY * 0.001))) };
}

/** Projects a point to normalized device coordinates (x, y in [−1, 1], z depth in [0, 1]); null behind the camera. */
export function project(m: Mat4, x: number, y: number, z: number): [number, number, number] | null {
  const c = vec4.transformMat4([x, y, z, 1], m);
  if (c[3]! <= 0) return null;
  return [c[0]! / c[3]!, c[1]! / c[3]!, c[2]! / c[3]!];
}
