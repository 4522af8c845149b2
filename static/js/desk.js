// Desk enhancements: see below.
