"""Latent Wall: 2-D autoencoders on MNIST, their artifacts, and the latent-space maths the app uses."""
