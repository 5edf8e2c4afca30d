"""The experiment: config, tasks, models, the stacked net, optimizers, the engine, runs, data, export."""
