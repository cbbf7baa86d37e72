/**
 * TensorFlow.js training peers for the train benchmark: the same MLP (same initial weights, ReLU hidden
 * layers, softmax cross-entropy, plain SGD on shuffled minibatches) on the wasm backend (XNNPACK, 1 thread,
 * set up as in ./tfjs.ts), trained either through tfjs's autodiff (`optimizer.minimize` over tf.variables)
 * or with the backward pass written by hand (a ReLU mask, softmax − onehot, `variable.assign`), its
 * transposed products either through tf.matMul's transpose flags (as tfjs's own matMul gradient does) or
 * through explicit tf.transpose copies — tfjs-backend-wasm 4.22 runs flagged products about 15× slower
 * than plain ones (see the matmul benchmark), so the copies are its fastest hand-written step.
 * Every step runs inside tf.tidy, so nothing leaks from step to step.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build ships no gradients (the @tensorflow/tfjs union package registers them); this file's
// ESM sources are extensionless, so Node cannot load them: the path keeps them out of the bench's
// '@tensorflow/*' externals and esbuild bundles them. They register into tfjs's global gradient registry.
import '../../node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { Rng } from '../../src/rng.js';
import { tfjsEngine } from './tfjs.js';
import type { MlpSetup, Trainer } from '../train.js';

/** How the gradients are obtained: tfjs's autodiff, or by hand with transpose flags or explicit transposes. */
export type TfjsGradMode = 'autodiff' | 'manual' | 'manualTransposed';

/** A TensorFlow.js wasm (1 thread) trainer of the MLP described by `setup`. */
export async function tfjsMlpTrainer(mode: TfjsGradMode, setup: MlpSetup): Promise<Trainer> {
  const engine = await tfjsEngine('wasm');
  const { sizes, init, data, evalCount, batchSize, lr } = setup;
  const layers = sizes.length - 1;
  const classes = sizes[layers]!;
  const features = sizes[0]!;
  const W = init.map((l, i) => tf.variable(tf.tensor2d(l.weights, [sizes[i]!, sizes[i + 1]!]), true));
  const b = init.map((l) => tf.variable(tf.tensor1d(l.bias), true));
  const vars = [...W, ...b];
  const X = tf.tensor2d(data.x, [data.count, features]);
  const Y = tf.tensor1d(data.labels, 'int32');
  const evalX = tf.slice(X, [0, 0], [evalCount, features]);
  const evalY = tf.tidy(() => tf.oneHot(tf.slice(Y, [0], [evalCount]), classes));
  const optimizer = tf.train.sgd(lr);
  const shuffle = new Rng(setup.seed).fork('tfjs minibatch');
  let order: Uint32Array | null = null;
  let cursor = 0;
  let lastLoss: tf.Scalar | null = null;

  /** The next minibatch's row indices (a fresh permutation each epoch, as featurelab's train() does). */
  const nextIndices = (): Int32Array => {
    if (!order || cursor + batchSize > data.count) {
      order = shuffle.permutation(data.count);
      cursor = 0;
    }
    cursor += batchSize;
    return Int32Array.from(order.subarray(cursor - batchSize, cursor));
  };

  /** Logits of x: ReLU(x·W + b) per hidden layer, then x·W + b; returns every layer's output (input first). */
  const forward = (x: tf.Tensor2D): tf.Tensor2D[] => {
    const hs = [x];
    for (let l = 0; l < layers; l++) {
      const z = tf.add(tf.matMul(hs[l]!, W[l]!), b[l]!) as tf.Tensor2D;
      hs.push(l + 1 < layers ? tf.relu(z) : z);
    }
    return hs;
  };

  /** One SGD step through tfjs's autodiff; returns the minibatch loss. */
  const autodiffStep = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar =>
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)[layers]!) as tf.Scalar, true, vars)!;

  /** op(a)·op(b): tf.matMul's transpose flags, or explicit tf.transpose copies in 'manualTransposed' mode. */
  const product = mode === 'manualTransposed'
    ? (a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean) => tf.matMul(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b)
    : (a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean) => tf.matMul(a, b, ta, tb);

  /** One SGD step with the gradients written out: dZ = (softmax − onehot)/B, dW = Hᵀ·dZ, dH = dZ·Wᵀ ∘ [H > 0]. */
  const manualStep = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => {
    const hs = forward(x);
    const logp = tf.logSoftmax(hs[layers]!);
    const loss = tf.neg(tf.div(tf.sum(tf.mul(y, logp)), batchSize)) as tf.Scalar;
    let d = tf.div(tf.sub(tf.exp(logp), y), batchSize) as tf.Tensor2D;
    for (let l = layers - 1; l >= 0; l--) {
      const dW = product(hs[l]!, d, true, false);
      const db = tf.sum(d, 0);
      // The gradient for the layer below uses W before its update.
      if (l > 0) d = tf.mul(product(d, W[l]!, false, true), tf.step(hs[l]!)) as tf.Tensor2D;
      W[l]!.assign(tf.sub(W[l]!, tf.mul(dW, lr)));
      b[l]!.assign(tf.sub(b[l]!, tf.mul(db, lr)));
    }
    return loss;
  };

  const step = mode === 'autodiff' ? autodiffStep : manualStep;
  const how = mode === 'autodiff'
    ? 'autodiff: tf.train.sgd().minimize() over tf.variables'
    : `hand-written backward (${mode === 'manual' ? 'tf.matMul transpose flags' : 'explicit tf.transpose'}, ReLU mask, softmax − onehot, variable.assign)`;
  return {
    description: `${engine.description}; ${how}`,
    async run(steps: number): Promise<number> {
      for (let s = 0; s < steps; s++) {
        const idx = nextIndices();
        const loss = tf.tidy(() => {
          const i = tf.tensor1d(idx, 'int32');
          return step(tf.gather(X, i) as tf.Tensor2D, tf.oneHot(tf.gather(Y, i), classes) as tf.Tensor2D);
        });
        lastLoss?.dispose();
        lastLoss = loss;
      }
      return lastLoss ? (await lastLoss.data())[0]! : NaN;
    },
    async evalLoss(): Promise<number> {
      const loss = tf.tidy(() => tf.losses.softmaxCrossEntropy(evalY, forward(evalX)[layers]!));
      try {
        return (await loss.data())[0]!;
      } finally {
        loss.dispose();
      }
    },
    dispose(): void {
      lastLoss?.dispose();
      optimizer.dispose();
      tf.dispose([...vars, X, Y, evalX, evalY]);
    },
  };
}
