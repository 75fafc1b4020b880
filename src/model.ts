/** @module The normalised model shape every provider maps to, and the list clients receive. */

/** What a provider's `parse` yields for one upstream entry, before prefix and filters. */
export interface UpstreamModel {
  /** The id as the upstream knows it. */
  id: string;
  /** Unix seconds, only when the upstream gives a time. */
  created?: number;
  owned_by?: string;
  name?: string;
  context_length?: number;
  max_output_tokens?: number;
}

/** One entry of `GET /v1/models`, OpenAI's `Model` plus where it came from. */
export interface Model {
  id: string;
  object: 'model';
  created?: number;
  owned_by: string;
  provider: string;
  upstream_id: string;
  name?: string;
  context_length?: number;
  max_output_tokens?: number;
  /** Set on an `ALIASES` entry only (never stored): the id of the model it names. */
  alias_of?: string;
}

export interface ModelList {
  object: 'list';
  data: Model[];
}
