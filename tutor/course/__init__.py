"""The course: lesson files parsed into typed objects, checked, and played on the engine."""
