"""How models run on this host: device and threads, weight formats, oneDNN, memory given back, environment, and
each seeded run's own random generator."""
