"""The science: statistics over seeds that say which optimizer is better, with evidence.

Every function takes tidy per-trial tables (one row per trial: a `label` or the config columns, seed, solved,
steps_to_solve, final_loss, diverged, and the step budget `steps`), such as the concatenated `Runs.summary()` frames
that `trials.summaries` builds, and returns tidy tables or sentences.

- `trials`: labels (as the comparison table names configs) and time to solve as censored survival data
- `survival`: Kaplan–Meier curves of the solved fraction and the median time to solve, with 95% intervals
- `proportions`: Newcombe's interval for a difference of two success rates
- `multiplicity`: Holm's step-down adjustment of p-values
- `two_sample`: the log-rank, Fisher and Mann–Whitney tests of two configs, with their degenerate cases
- `pairwise`: every pair of configs compared, one row per pair
- `verdicts`: a sentence per pair, in Japanese or English, that claims only what the tests support
- `profiles`: performance profiles (Dolan & Moré) of optimizers over the problems of a sweep
- `replay`: frames of one exact trial, for an animation in the browser
- `landscape`: loss landscapes: a 2-D slice through the optimizers' paths, and the straight line
"""
