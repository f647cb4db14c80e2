"""The bottom layer: value types, errors, replies, the clock and text helpers every other
layer shares. Imports nothing from the rest of the engine."""
