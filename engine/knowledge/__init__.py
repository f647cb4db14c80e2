"""What /ask knows beyond the lessons: the glossary of terms a product team meets."""
