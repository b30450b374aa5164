"""The resources of a client (`client.responses`, `client.chat.completions`,
`client.completions`): each method describes its request as a `Call`; the
client runs it."""
