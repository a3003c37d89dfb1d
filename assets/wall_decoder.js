// The page's own decoder: the trained decoder's forward pass in plain JavaScript, so the wall can show what
// the decoder paints under the pointer with no round trip to the server.
//
// The weights are the committed .keras decoder's own arrays as one float32 buffer, cut from that file by the
// server where `python -m training.export` found them, and served under an address that names their SHA-256,
// so the browser fetches them once and then keeps them (the server marks them immutable). The layer list
// comes with them: dense, reshape and 'same'-padded transposed convolutions in Keras's own layouts, which is
// all the wall's decoders use. A decode of one code is ~6 million multiply-adds, a few milliseconds.
const decoders = (window.latentWallDecoders = window.latentWallDecoders || new Map());

const ACTIVATIONS = {
  linear: (value) => value,
  relu: (value) => (value > 0 ? value : 0),
  sigmoid: (value) => 1 / (1 + Math.exp(-value)),
  tanh: (value) => Math.tanh(value),
  elu: (value) => (value > 0 ? value : Math.exp(value) - 1),
};

function arrayOf(weights, entry) {
  const size = entry.shape.reduce((product, side) => product * side, 1);
  return weights.subarray(entry.offset, entry.offset + size);
}

// y = activation(x W + b), W of shape (inputs, units).
function denseLayer(layer, weights, inputs) {
  const kernel = arrayOf(weights, layer.arrays[0]);
  const bias = arrayOf(weights, layer.arrays[1]);
  const units = layer.units;
  const activation = ACTIVATIONS[layer.activation];
  const output = new Float64Array(units);
  return {
    size: units,
    run(x) {
      output.set(bias);
      for (let i = 0; i < inputs; i += 1) {
        const value = x[i];
        if (value === 0) {
          continue;  // After a ReLU most inputs are zero.
        }
        const row = i * units;
        for (let j = 0; j < units; j += 1) {
          output[j] += value * kernel[row + j];
        }
      }
      for (let j = 0; j < units; j += 1) {
        output[j] = activation(output[j]);
      }
      return output;
    },
  };
}

// Keras's Conv2DTranspose with padding 'same' on (height, width, channels) data: each input pixel spreads
// kernel[ky, kx, out, in] to output pixel (iy * stride + ky - before, ix * stride + kx - before), where
// `before` is the leading half of the padding the matching forward convolution would use.
function transposedLayer(layer, weights, shape) {
  const [height, width, channels] = shape;
  const bias = arrayOf(weights, layer.arrays[1]);
  const [kernelHeight, kernelWidth] = layer.kernel;
  const [strideY, strideX] = layer.strides;
  const filters = layer.filters;
  // Kept as kernel[ky, kx, in, out], so the innermost loop runs over contiguous outputs.
  const stored = arrayOf(weights, layer.arrays[0]);
  const kernel = new Float32Array(stored.length);
  for (let tap = 0; tap < kernelHeight * kernelWidth; tap += 1) {
    for (let f = 0; f < filters; f += 1) {
      for (let c = 0; c < channels; c += 1) {
        kernel[(tap * channels + c) * filters + f] = stored[(tap * filters + f) * channels + c];
      }
    }
  }
  const outHeight = height * strideY;
  const outWidth = width * strideX;
  const beforeY = Math.floor(Math.max(kernelHeight - strideY, 0) / 2);
  const beforeX = Math.floor(Math.max(kernelWidth - strideX, 0) / 2);
  const activation = ACTIVATIONS[layer.activation];
  const output = new Float64Array(outHeight * outWidth * filters);
  const live = new Int32Array(channels);
  const fourEnd = filters - (filters % 4);  // Where the four-at-a-time part of a row of outputs ends.
  return {
    shape: [outHeight, outWidth, filters],
    size: output.length,
    run(x) {
      output.fill(0);
      for (let iy = 0; iy < height; iy += 1) {
        for (let ix = 0; ix < width; ix += 1) {
          const source = (iy * width + ix) * channels;
          let count = 0;
          for (let c = 0; c < channels; c += 1) {
            if (x[source + c] !== 0) {  // After a ReLU many inputs are zero: they add nothing.
              live[count] = c;
              count += 1;
            }
          }
          if (count === 0) {
            continue;
          }
          for (let ky = 0; ky < kernelHeight; ky += 1) {
            const oy = iy * strideY + ky - beforeY;
            if (oy < 0 || oy >= outHeight) {
              continue;
            }
            for (let kx = 0; kx < kernelWidth; kx += 1) {
              const ox = ix * strideX + kx - beforeX;
              if (ox < 0 || ox >= outWidth) {
                continue;
              }
              const target = (oy * outWidth + ox) * filters;
              const tap = (ky * kernelWidth + kx) * channels;
              if (filters === 1) {  // One output channel: a dot product over the live inputs.
                let sum = 0;
                for (let n = 0; n < count; n += 1) {
                  sum += x[source + live[n]] * kernel[tap + live[n]];
                }
                output[target] += sum;
                continue;
              }
              for (let n = 0; n < count; n += 1) {
                const c = live[n];
                const value = x[source + c];
                let k = (tap + c) * filters;
                let o = target;
                for (; o < fourEnd + target; o += 4, k += 4) {
                  output[o] += value * kernel[k];
                  output[o + 1] += value * kernel[k + 1];
                  output[o + 2] += value * kernel[k + 2];
                  output[o + 3] += value * kernel[k + 3];
                }
                for (; o < target + filters; o += 1, k += 1) {
                  output[o] += value * kernel[k];
                }
              }
            }
          }
        }
      }
      for (let index = 0; index < output.length; index += 1) {
        output[index] = activation(output[index] + bias[index % filters]);
      }
      return output;
    },
  };
}

// The layer list as one function: a code (an array of numbers) in, the image's pixels (row by row) out.
function buildDecoder(spec, weights) {
  if (weights.length !== spec.floats) {
    throw new Error(`expected ${spec.floats} weights, got ${weights.length}`);
  }
  const steps = [];
  let size = spec.input;
  let shape = [size];
  for (const layer of spec.layers) {
    if (layer.type === "reshape") {
      shape = layer.shape;
      continue;
    }
    const step = layer.type === "dense" ? denseLayer(layer, weights, size)
      : transposedLayer(layer, weights, shape);
    steps.push(step);
    size = step.size;
    shape = step.shape || [size];
  }
  const input = new Float64Array(spec.input);
  return {
    pixels: size,
    decode(code) {
      input.set(code);
      return steps.reduce((values, step) => step.run(values), input);
    },
  };
}

// A model's decoder, fetched and built once per page (and kept by the browser's cache across visits):
// addresses.spec names the layers, addresses.weights holds their arrays.
function loadDecoder(addresses) {
  const key = addresses.weights;
  if (!decoders.has(key)) {
    const fetched = (url, read) => fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) {
        throw new Error(`HTTP ${response.status} for ${url}`);
      }
      return read(response);
    });
    const loading = Promise.all([fetched(addresses.spec, (response) => response.json()),
                                 fetched(addresses.weights, (response) => response.arrayBuffer())])
      .then(([spec, buffer]) => buildDecoder(spec, new Float32Array(buffer)));
    loading.catch(() => decoders.delete(key));  // A failed fetch is tried again by the next mount.
    decoders.set(key, loading);
  }
  return decoders.get(key);
}
