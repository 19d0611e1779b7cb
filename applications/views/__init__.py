"""The pages of applications (`applying`: issue 12) and of choosing a plan and the consumer's coverage
(`enrolling`: issue 13). One set of pages serves the consumer and whoever acts for them."""
