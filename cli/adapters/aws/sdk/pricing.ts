// The Price List call ydeploy makes, imported by name so the CLI's bundle holds only its schema.
export { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
