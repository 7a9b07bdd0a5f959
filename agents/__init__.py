"""Persona agents, canon memory, scenario graphs and chat sessions."""
