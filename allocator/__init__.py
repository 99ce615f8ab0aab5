"""Caseload allocation: inputs -> validated instance -> CP-SAT model -> plan + reasons."""
