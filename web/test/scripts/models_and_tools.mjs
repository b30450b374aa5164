// Pick a model, then let the model call a typed tool.
import OpenAI from 'rapidresponse';
import { zodResponsesFunction } from 'rapidresponse/helpers/zod';
import { z } from 'zod/v4';

const client = new OpenAI();
const ids = [];
for await (const model of client.models.list()) ids.push(model.id);
console.log('has gpt-4.1', ids.includes('gpt-4.1'));
const model = await client.models.retrieve('gpt-4.1');
console.log('model', model.id, model.owned_by);
const weather = zodResponsesFunction({ name: 'get_weather', parameters: z.object({ city: z.string() }) });
const response = await client.responses.parse({ model: model.id, input: 'Weather in Paris?', tools: [weather] });
const call = response.output.find((item) => item.type === 'function_call');
console.log('call', call.name, typeof call.parsed_arguments.city);
