"""Workforce planning: scenario -> demand, supply, costs -> projection, comparison."""
