"""What the papers behind the lecture say, measured on the lecture's nets: the claims fixed before measuring
(`claims`), and one module per paper of pure computations (`saxe`, `glorot`, `dauphin`, `fukumizu`, `choi`,
`schmidt`). The training through the lab's engine and store is in lab.compute.papers."""
