// A review bot's structured output, as openai-node users write it.
import OpenAI from 'rapidresponse';
import { zodTextFormat } from 'rapidresponse/helpers/zod';
import { z } from 'zod/v4';

const client = new OpenAI();
const Review = z.object({
  verdict: z.enum(['approve', 'request_changes']),
  issues: z.array(z.object({ file: z.string(), line: z.number().int(), message: z.string() })),
  summary: z.string().nullable(),
});
const response = await client.responses.parse({
  model: 'gpt-4.1',
  input: 'Review this change: + let x = 1;',
  text: { format: zodTextFormat(Review, 'review') },
});
const review = response.output_parsed;
console.log('verdict', review.verdict);
console.log('issues', Array.isArray(review.issues));
console.log('same as text', JSON.stringify(review) === JSON.stringify(JSON.parse(response.output_text)));
