"""One shared copy of the models serves every session: many threads decoding at once must agree with one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from latentwall import inference

THREADS = 8


def test_many_threads_decode_and_read_like_one(smoke_models):
    models = inference.load_models(smoke_models)
    codes = np.random.default_rng(3).normal(size=(96, 2)).astype("float32")
    for kind in ("ae", "vae"):
        decoder = models[kind].decoder
        expected = np.concatenate([decoder.decode(code[None]) for code in codes])
        readings = [models.reader.read(image[None]) for image in expected]
        expected_digits = [digits[0] for digits, _ in readings]
        expected_confidence = [confidence[0] for _, confidence in readings]

        def decode_and_read(index: int, decoder=decoder):
            image = decoder.decode(codes[index][None])
            return index, image[0], models.reader.read(image)

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(decode_and_read, [*range(len(codes))] * 3))
        for index, image, (digits, confidence) in results:
            np.testing.assert_array_equal(image, expected[index])
            assert digits[0] == expected_digits[index]
            assert confidence[0] == expected_confidence[index]
        batched = decoder.decode(codes)
        np.testing.assert_allclose(batched, expected, atol=1e-5)
